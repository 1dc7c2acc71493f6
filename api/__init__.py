"""HTTP routes mounted beside the Streamlit pages by app.py's st.App (one port, one command)."""
