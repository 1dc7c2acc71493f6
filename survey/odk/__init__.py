"""ODK Collect / KoboCollect submissions and exports coming in: XForm instances, the inbox (survey.odk.inbox)."""
