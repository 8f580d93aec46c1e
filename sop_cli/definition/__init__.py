"""The SOP definition: the YAML file, its validated model, the flow graph and the catalog of files."""
