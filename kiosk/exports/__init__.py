"""Coordinator exports: CSV contact lists and PDF delivery packets, made in memory.

- :mod:`kiosk.exports.records`: open the chosen signatures (the coordinator's key), counting
  what is left out and why;
- :mod:`kiosk.exports.contacts`: the contact list (CSV), safe for spreadsheets;
- :mod:`kiosk.exports.packets`: group signatures into delivery packets, each under the text
  version it was given (looked up through a narrow port, the kiosk's store or the server's);
- :mod:`kiosk.exports.make`: make an export with progress and cancel, write it, record it;
- :mod:`kiosk.exports.files`: where exports are saved (the mounted sticks that
  :mod:`kiosk.adapters.usb` finds, then the exports folder) and why saving failed; writes go
  through :func:`kiosk.adapters.files.atomic_write`.

The command line (``kiosk export``), the touch screen (through
:class:`kiosk.services.exports.Exports`) and the server (:mod:`kiosk.server.exports`) use these.
"""

from __future__ import annotations

from kiosk.exports.contacts import CSV_COLUMNS, EXCEL_BOM, csv_row, for_excel, write_csv
from kiosk.exports.files import (
    SETTING_EXPORT_DIR,
    OutPathError,
    destinations,
    export_folder,
    out_target,
    save_error_code,
)
from kiosk.exports.make import (
    ExportCancelled,
    ExportFile,
    MadeExport,
    NothingToExport,
    Progress,
    export_paths,
    export_stem,
    make_csv_export,
    make_pdf_export,
    record_export,
    save_export,
    write_export,
)
from kiosk.exports.packets import TextVersionLookup, build_packets, packet_path, packet_paths
from kiosk.exports.records import ExportRecord, ExportResult, collect

__all__ = [
    "CSV_COLUMNS",
    "EXCEL_BOM",
    "SETTING_EXPORT_DIR",
    "ExportCancelled",
    "ExportFile",
    "ExportRecord",
    "ExportResult",
    "MadeExport",
    "NothingToExport",
    "OutPathError",
    "Progress",
    "TextVersionLookup",
    "build_packets",
    "collect",
    "csv_row",
    "destinations",
    "export_folder",
    "export_paths",
    "export_stem",
    "for_excel",
    "make_csv_export",
    "make_pdf_export",
    "out_target",
    "packet_path",
    "packet_paths",
    "record_export",
    "save_error_code",
    "save_export",
    "write_csv",
    "write_export",
]
