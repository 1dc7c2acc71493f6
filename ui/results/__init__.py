"""The analysis pages' building blocks: the data cache keyed on the store's state, charts,
result tables, choices, downloads and live refresh."""
