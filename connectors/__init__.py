"""Platform connectors shipped with syncd; each sub-package is found through the `syncd.connectors` entry points."""
