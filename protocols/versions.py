"""Versions of the protocol: every change to a protocol object, with author, time and diff."""

from __future__ import annotations

import difflib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.forms.models import model_to_dict

from protocols.models import ProtocolChange


def snapshot(obj: Model | None) -> dict | None:
    """The object's editable fields as JSON-ready data (None for a new object)."""
    if obj is None or obj.pk is None:
        return None
    data = model_to_dict(obj)
    for name, value in list(data.items()):
        if isinstance(value, list) and value and isinstance(value[0], Model):
            data[name] = sorted(item.pk for item in value)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


def protocol_change_record(*, obj: Model, by, before: dict | None, deleted: bool = False) -> ProtocolChange | None:
    """Write a version of ``obj`` if it changed; ``before`` is its ``snapshot`` before the change."""
    after = None if deleted else snapshot(obj)
    if before == after:
        return None
    action = (
        ProtocolChange.Action.DELETED
        if deleted
        else (ProtocolChange.Action.CREATED if before is None else ProtocolChange.Action.CHANGED)
    )
    return ProtocolChange.objects.create(
        model=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=action,
        author=by,
        before=before,
        after=after,
        diff=_diff(before, after),
    )


def _diff(before: dict | None, after: dict | None) -> str:
    def lines(data):
        if data is None:
            return []
        out = []
        for key in sorted(data):
            value = data[key]
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for index, line in enumerate(str(text).splitlines() or [""]):
                out.append(f"{key}: {line}" if index == 0 else f"{' ' * (len(key) + 2)}{line}")
        return out

    return "\n".join(difflib.unified_diff(lines(before), lines(after), "before", "after", lineterm="", n=1))
