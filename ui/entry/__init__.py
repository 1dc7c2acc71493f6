"""The interview form's parts: widgets per question, steps and the wizard, drafts in the
session, corrections, GPS, the phone layout, the enumerator's own submissions."""
