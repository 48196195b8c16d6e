"""SATUSEHAT master data (issue #19 part 3): regions with their BPS codes and health
facilities, from files in the shape the master-data endpoints return, or from the endpoints.

- parsing.py, facility_parsing.py: the hardened JSON reading of both shapes, every problem
  located ("data[12].code");
- regions.py: BPS codes set, names that differ reported, missing regions created through
  kernel.services.regions;
- facilities.py: facilities matched to puskesmas by code, staged as proposals, accepted
  (through the organisation service, versioned) or rejected;
- client.py: OAuth2 client credentials and the facility endpoint's pages (stdlib urllib);
- importers.py, tasks.py: both imports on the one pipeline, and the fetch task.
"""

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "satusehat"
