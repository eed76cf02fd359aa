"""Adapters to the world outside the program, in one place (issue #14).

- :mod:`kiosk.adapters.crypto`: sealed boxes to the organization's key, Argon2id for PINs and
  passphrases, the key folder;
- :mod:`kiosk.adapters.files`: the one atomic-write helper (temporary file, sync, rename, sync
  the folder) every whole file goes through;
- :mod:`kiosk.adapters.geo`: the offline ZIP index;
- :mod:`kiosk.adapters.printing`: CUPS through its command-line client;
- :mod:`kiosk.adapters.usb`: mounted removable media.

None imports Qt; the domain never imports them. The store (:mod:`kiosk.store`), the sync client
(:mod:`kiosk.sync`) and the PDF writer (:mod:`kiosk.pdf`) are adapters too, in their own packages.
"""
