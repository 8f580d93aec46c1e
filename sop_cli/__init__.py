"""sop: run the Standard Operating Procedures (SOP) of Indonesian regional government offices.

Kept empty on purpose: `import sop_cli` must stay cheap because every `sop` command pays for it.
"""

__version__ = "0.1.0"
