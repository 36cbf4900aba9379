# Models arrive with their issue (see README "Not yet"); the app is registered so that
# migrations, templates and tasks have their home from the start.
