"""The logic behind releasekit's tasks, one package per domain; nothing here imports invoke.

``common`` holds the shared mechanisms; ``versioning``, ``changelog``, ``tags``, ``helm``,
``artifacts`` and ``registry`` are the domains (they import ``common``, never the task layer);
``config`` reads releasekit.yaml.
"""
