"""Forwarding signatures to the organization's CRM (issue #16).

Each signature a kiosk pushed is queued once per configured destination (a server-side outbox in
the database) and sent there by a forwarder: to Action Network or any OSDI server through the
record-signature helper, or to any other system as a Standard Webhooks signed JSON document.
Voided, synthetic and demo signatures are never sent; every send is an audit entry without
personal data; credentials are sealed with the server's forwarding secret.

- :mod:`.models`: the tables (destinations, outbox, attempts, the SQLite lease).
- :mod:`.secrets`: the forwarding secret file and the sealed credentials.
- :mod:`.destinations`: adding, listing, pausing and removing destinations; the URL rules.
- :mod:`.payload`: the OSDI and webhook documents of one signature.
- :mod:`.senders`: HTTP to the destinations, Standard Webhooks signing, answer classification.
- :mod:`.outbox`: queueing, claiming (``FOR UPDATE SKIP LOCKED`` / the SQLite lease), results.
- :mod:`.worker`: the forwarder loop (``kiosk-server forward run``).
- :mod:`.service`: the API the command line and the console call (list, status, retry, pause).
- :mod:`.cli`: the ``kiosk-server forward`` commands.

See docs/forwarding.md.
"""
