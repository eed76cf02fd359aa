"""Running counts of the signatures (``signature_tally``), kept by triggers.

Staff mode's counts, the signer screen's progress, the export screen's "N signatures" and
``kiosk status`` counted the signatures themselves: on 200,000 stored each count walked an
index of every signature (and, for a count without synthetic ones, read every row), 40 to
110 ms each, several of them on the UI thread each time staff mode opened (0.6 s of counts).
Now a count that has no time bound sums a few rows of ``signature_tally``: one row per
campaign, local campaign, event, synthetic and void state, with ``n`` signatures of which
``held`` still hold their sealed personal data (retention deletes it: ``n - held`` were purged).

The triggers keep it exact in the transaction that changes a signature: a new signature adds
one, a void or an event renamed moves one, and a sealed row stored or deleted moves ``held``.
A local campaign or an event that is none is stored as "" (a primary key cannot hold NULL).
The upgrade counts what is stored once, in the same transaction.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: The tally's key of a signature row (``r``: ``new`` or ``old`` in a trigger).
_KEY = (
    "{r}.campaign, coalesce({r}.local_campaign, ''), coalesce({r}.event_id, ''), "
    "{r}.synthetic, {r}.voided"
)
_WHERE = (
    "campaign = {r}.campaign AND local_campaign = coalesce({r}.local_campaign, '') "
    "AND event_id = coalesce({r}.event_id, '') AND synthetic = {r}.synthetic "
    "AND voided = {r}.voided"
)
#: The tally row of the signature a ``signature_sealed`` row (``r``) belongs to.
_OF_SEALED = (
    "(campaign, local_campaign, event_id, synthetic, voided) = "
    "(SELECT campaign, coalesce(local_campaign, ''), coalesce(event_id, ''), synthetic, voided "
    "FROM signatures WHERE seq = {r}.seq)"
)
_HELD = "(SELECT count(*) FROM signature_sealed WHERE seq = {r}.seq)"

TRIGGERS = {
    "signature_tally_insert": f"""
        CREATE TRIGGER signature_tally_insert AFTER INSERT ON signatures BEGIN
            INSERT INTO signature_tally VALUES ({_KEY.format(r="new")}, 1, {_HELD.format(r="new")})
            ON CONFLICT DO UPDATE SET n = n + 1, held = held + excluded.held;
        END""",
    "signature_tally_update": f"""
        CREATE TRIGGER signature_tally_update
        AFTER UPDATE OF campaign, local_campaign, event_id, synthetic, voided ON signatures
        WHEN old.campaign IS NOT new.campaign OR old.local_campaign IS NOT new.local_campaign
            OR old.event_id IS NOT new.event_id OR old.synthetic IS NOT new.synthetic
            OR old.voided IS NOT new.voided
        BEGIN
            UPDATE signature_tally SET n = n - 1, held = held - {_HELD.format(r="old")}
            WHERE {_WHERE.format(r="old")};
            INSERT INTO signature_tally VALUES ({_KEY.format(r="new")}, 1, {_HELD.format(r="new")})
            ON CONFLICT DO UPDATE SET n = n + 1, held = held + excluded.held;
        END""",
    "signature_tally_delete": f"""
        CREATE TRIGGER signature_tally_delete AFTER DELETE ON signatures BEGIN
            UPDATE signature_tally SET n = n - 1, held = held - {_HELD.format(r="old")}
            WHERE {_WHERE.format(r="old")};
        END""",
    "signature_tally_sealed_insert": f"""
        CREATE TRIGGER signature_tally_sealed_insert AFTER INSERT ON signature_sealed BEGIN
            UPDATE signature_tally SET held = held + 1 WHERE {_OF_SEALED.format(r="new")};
        END""",
    "signature_tally_sealed_delete": f"""
        CREATE TRIGGER signature_tally_sealed_delete AFTER DELETE ON signature_sealed BEGIN
            UPDATE signature_tally SET held = held - 1 WHERE {_OF_SEALED.format(r="old")};
        END""",
}


def upgrade() -> None:
    op.execute(
        "CREATE TABLE signature_tally ("
        "campaign VARCHAR(64) NOT NULL, local_campaign VARCHAR(64) NOT NULL, "
        "event_id VARCHAR(64) NOT NULL, synthetic BOOLEAN NOT NULL, voided BOOLEAN NOT NULL, "
        "n INTEGER NOT NULL, held INTEGER NOT NULL, "
        "PRIMARY KEY (campaign, local_campaign, event_id, synthetic, voided)) WITHOUT ROWID"
    )
    op.execute(
        "INSERT INTO signature_tally "
        "SELECT campaign, coalesce(local_campaign, ''), coalesce(event_id, ''), synthetic, "
        "voided, count(*), count(b.seq) FROM signatures s "
        "LEFT JOIN signature_sealed b ON b.seq = s.seq GROUP BY 1, 2, 3, 4, 5"
    )
    for sql in TRIGGERS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("signature_tally")
