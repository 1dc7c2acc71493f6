"""A questionnaire as an XLSForm that pyxform turns into an ODK XForm, with our expressions
written in ODK's syntax."""
