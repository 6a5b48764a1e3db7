"""`diaodu backup` / `diaodu restore` round trip: every table has the same row count and checksum afterwards,
on SQLite (online backup API) and on PostgreSQL (pg_dump -Fc / pg_restore --clean)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from diaodu.audit.models import AuditEvent
from diaodu.core import backup
from diaodu.core.testing.authz import build_world
from diaodu.core.testing.roles import ensure_default_roles
from diaodu.plans.models import Actual


@pytest.fixture
def world(transactional_db):  # type: ignore[no-untyped-def]
    ensure_default_roles()
    return build_world()


def test_a_backup_restores_every_table_exactly(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = backup.fingerprint()
    assert before["plans_actual"][0] == 6 and before["audit_auditevent"][0] > 0
    file = tmp_path / "diaodu.backup"
    call_command("backup", str(file))
    assert file.stat().st_size > 0

    # Damage: change and add data after the backup (the audit trail grows too).
    Actual.objects.filter(pk=world.draft_yishan.pk).update(note="备份之后改的")
    from diaodu.audit.services import record

    record(actor=None, action="update", object_type="test", reason="备份之后")
    assert backup.fingerprint() != before

    call_command("restore", str(file), "--yes")
    after = backup.fingerprint()
    assert after == before, {
        t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)
    }
    assert Actual.objects.get(pk=world.draft_yishan.pk).note == "财政局月报"
    assert not AuditEvent.objects.filter(reason="备份之后").exists()


def test_it_refuses_the_wrong_kind_of_file_and_overwriting(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(CommandError):
        call_command("restore", str(junk), "--yes")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(junk))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(junk))
