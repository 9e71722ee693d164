"""Release tags: tag schemes (SemVer, CalVer, channels), creating and pushing them safely,
Go multi-module tags in dependency order, the tag audit, hotfix branches and supersede notes.
"""
