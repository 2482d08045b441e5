"""Sound engines. Each implements ``foleyline.server.engines.base.Engine``; the registry in
``foleyline.server.engines.registry`` finds them lazily and reports the ones that cannot load."""
