"""The questionnaire as data: the model (YAML -> frozen Instrument), the question-type table
with its traits, expressions, validation and its problem catalogue, the Arrow schema of the
stored tables, the sampling design and the quality rules. The YAML files stay in
``survey/instruments/``. Nothing here reads or writes the store."""
