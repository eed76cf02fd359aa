"""What publishing a campaign file changes, compared with the one published before.

A coordinator about to publish reads this before the kiosks pick the file up: a changed
statement means signers from then on sign a new text version, a removed local campaign stops
being offered, a lower goal changes every progress bar. Pure: two campaigns in, a list of
changes out (each a code and its values, for the console to say in its language).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.domain.campaign import Campaign, LocalCampaign

#: How many local campaigns a change names before it says "and N more".
NAMED = 5


@dataclass(frozen=True, slots=True)
class Change:
    """One change: ``code`` (``first``, ``none``, ``text``, ``title``, ``kind``,
    ``organization``, ``goal``, ``known_count``, ``locals_added``, ``locals_removed``,
    ``locals_text``, ``locals_title``, ``locals_goal``, ``updates_added``, ``updates_removed``,
    ``consent``, ``fields``, ``area``) and its values."""

    code: str
    values: dict[str, str] = field(default_factory=dict)


def _places(locals_: list[LocalCampaign]) -> dict[str, str]:
    names = sorted(f"{loc.place}, {loc.state}" for loc in locals_)
    shown = ", ".join(names[:NAMED])
    return {"n": str(len(names)), "names": shown, "more": str(max(0, len(names) - NAMED))}


def _local_versions(c: Campaign) -> dict[str, str]:
    """Each local campaign's current text version (what its signers sign)."""
    return {loc.slug: c.current_version(loc.slug).hash for loc in c.locals}


def campaign_changes(old: Campaign | None, new: Campaign) -> list[Change]:
    """What publishing ``new`` changes for kiosks that have ``old`` (None: never published)."""
    if old is None:
        return [Change("first")]
    changes: list[Change] = []
    new_text = old.current_version().hash != new.current_version().hash
    if new_text:
        changes.append(Change("text"))
    elif old.text.title != new.text.title:  # a title is presentation: no new text version
        changes.append(Change("title", {"old": old.text.title.en, "new": new.text.title.en}))
    if old.kind != new.kind:
        changes.append(Change("kind", {"old": old.kind.value, "new": new.kind.value}))
    if old.organization != new.organization:
        changes.append(Change("organization", {"old": old.organization, "new": new.organization}))
    if old.goal != new.goal:
        changes.append(Change("goal", {"old": f"{old.goal:,}", "new": f"{new.goal:,}"}))
    if old.known_count != new.known_count:
        changes.append(
            Change("known_count", {"old": f"{old.known_count:,}", "new": f"{new.known_count:,}"})
        )
    before = {loc.slug: loc for loc in old.locals}
    after = {loc.slug: loc for loc in new.locals}
    added = [after[s] for s in after.keys() - before.keys()]
    removed = [before[s] for s in before.keys() - after.keys()]
    if added:
        changes.append(Change("locals_added", _places(added)))
    if removed:
        changes.append(Change("locals_removed", _places(removed)))
    old_versions, new_versions = _local_versions(old), _local_versions(new)
    kept = sorted(before.keys() & after.keys())
    retexted = [after[s] for s in kept if old_versions[s] != new_versions[s]]
    # A new campaign text gives every local campaign a new version: named only when fewer
    # changed (their own title or statement), not every one.
    if retexted and (not new_text or len(retexted) < len(kept)):
        changes.append(Change("locals_text", _places(retexted)))
    retitled = [
        after[s]
        for s in kept
        if old_versions[s] == new_versions[s] and before[s].title != after[s].title
    ]
    if retitled:
        changes.append(Change("locals_title", _places(retitled)))
    regoaled = [after[s] for s in kept if before[s].goal != after[s].goal]
    if regoaled:
        changes.append(Change("locals_goal", _places(regoaled)))
    old_updates, new_updates = set(old.updates), set(new.updates)
    if new_updates - old_updates:
        changes.append(Change("updates_added", {"n": str(len(new_updates - old_updates))}))
    if old_updates - new_updates:
        changes.append(Change("updates_removed", {"n": str(len(old_updates - new_updates))}))
    if old.consent != new.consent:
        changes.append(Change("consent"))
    moved = sorted(
        name
        for name in old.fields.keys() | new.fields.keys()
        if old.fields.get(name) != new.fields.get(name)
    )
    if moved:
        changes.append(
            Change(
                "fields",
                {
                    "names": ", ".join(
                        f"{name} ({_rule(old, name)} → {_rule(new, name)})" for name in moved
                    )
                },
            )
        )
    if old.area != new.area:
        changes.append(Change("area"))
    return changes or [Change("none")]


def _rule(c: Campaign, name: str) -> str:
    rule = c.fields.get(name)
    return rule.value if rule is not None else "-"
