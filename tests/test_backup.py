"""Backups that restore (kernel/backups.py, `manage.py backup` / `restore`).

The demo is loaded into a scratch database of its own (never pytest's test database) on the
database the suite runs on: a database of that PostgreSQL server, or a SQLite file. Photos are
added through the real upload service. Every command runs as a subprocess, as an operator runs
it. The round trip backs up, restores over a changed live site, then wipes everything (database
and files) and restores again; each time every table must hold the same rows (count and checksum
of every row's text) and every file the same sha256.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

BASE_DIR = Path(settings.BASE_DIR)
VENDOR = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"

# The demo, and photos through the real upload service (resized, thumbnails made). On SQLite
# (migrations there take longest) the kernel's demo only: regions, organisation and users.
PREPARE = {
    "postgresql": """
import io
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from kernel.models import User
from workshops.models import Meeting
from workshops.services.records import photos_add

call_command("migrate", verbosity=0)
if not User.objects.filter(username="kapus.danaupanggang").exists():  # not a copy of the demo
    call_command("seed_demo", quiet=True)

def png(colour):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return out.getvalue()

meeting = Meeting.objects.exclude(signed_agreement="").order_by("pk").first()
head = User.objects.get(username="kapus.danaupanggang")
uploads = [
    SimpleUploadedFile(f"foto-{n}.png", png(colour), "image/png")
    for n, colour in enumerate(["red", "green", "blue"])
]
photos_add(meeting=meeting, uploads=uploads, caption="Backup", by=head)
""",
    "sqlite": """
from django.core.management import call_command
from kernel.services.demo import demo_seed

call_command("migrate", verbosity=0)
demo_seed(password="simpul-demo-2026")
""",
}
# Files any installation may hold: nested folders, a space and a non-ASCII letter in a name.
EXTRA_FILES = {
    "imports/2026/01/nilai bulanan é.xlsx": b"PK\x03\x04 a workbook" * 100,
    "exports/2026/01/laporan.pdf": b"%PDF-1.7 " + bytes(range(256)) * 40,
    "meetings/evidence/2026/bukti.txt": "bukti kegiatan · Danau Panggang\n".encode(),
}


# --- The scratch site ---------------------------------------------------------------------------


class Site:
    """A Simpul installation of its own: database, MEDIA_ROOT and backup folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.media = root / "media"
        self.backups = root / "backups"
        self.backups.mkdir(parents=True, exist_ok=True)  # whichever test comes first
        self.name = f"simpul_backup_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        if VENDOR == "postgresql":
            db = settings.DATABASES["default"]
            self.server = {
                "host": db.get("HOST") or None,
                "port": db.get("PORT") or None,
                "user": db.get("USER") or None,
                "password": db.get("PASSWORD") or None,
            }
            auth = db.get("USER") or ""
            if db.get("PASSWORD"):
                auth += f":{db['PASSWORD']}"
            netloc = f"{auth}@" if auth else ""
            netloc += f"{db.get('HOST') or ''}{':' + str(db['PORT']) if db.get('PORT') else ''}"
            self.url = f"postgres://{netloc}/{self.name}"
        else:
            self.path = root / "simpul.sqlite3"
            self.url = f"sqlite:///{self.path}"

    # database
    def _server(self, dbname: str = "postgres"):
        import psycopg2

        conn = psycopg2.connect(dbname=dbname, **{k: v for k, v in self.server.items() if v})
        conn.autocommit = True
        return conn

    def create(self) -> None:
        """The site's database: on PostgreSQL a copy of the demo database `make test` has just
        migrated and seeded (DATABASE_URL's own database) when there is one nobody is using
        (PREPARE then migrates it forward and seeds only if it holds no demo); else empty."""
        if VENDOR == "postgresql":
            import psycopg2

            demo = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
            conn = self._server()
            with conn.cursor() as cursor:
                try:
                    if not demo:
                        raise psycopg2.Error("no demo database named")
                    cursor.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{demo}"')
                except psycopg2.Error:  # none, or in use: migrate and seed from scratch
                    cursor.execute(f'CREATE DATABASE "{self.name}"')
            conn.close()

    def drop(self) -> None:
        if VENDOR == "postgresql":
            conn = self._server()
            with conn.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.close()
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def execute(self, *statements: str) -> None:
        if VENDOR == "postgresql":
            conn = self._server(self.name)
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            conn.close()
        else:
            conn = sqlite3.connect(self.path)
            for statement in statements:
                conn.execute(statement)
            conn.commit()
            conn.close()

    def state(self) -> dict:
        """Per table: rows and a checksum of every row's text; sequences; every file's sha256."""
        tables: dict[str, tuple[int, str]] = {}
        if VENDOR == "postgresql":
            conn = self._server(self.name)
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
                for (table,) in cursor.fetchall():
                    cursor.execute(
                        f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "
                        f"ORDER BY t::text), '')) FROM \"{table}\" t"
                    )
                    tables[table] = cursor.fetchone()
                cursor.execute(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = 'public' ORDER BY 1"
                )
                sequences = cursor.fetchall()
            conn.close()
        else:
            conn = sqlite3.connect(self.path)
            names = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
            for (table,) in names:
                rows = sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{table}"'))
                tables[table] = (len(rows), hashlib.md5("\n".join(rows).encode()).hexdigest())
            sequences = conn.execute("SELECT name, seq FROM sqlite_sequence ORDER BY 1").fetchall()
            conn.close()
        files = {
            path.relative_to(self.media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.media.rglob("*"))
            if path.is_file()
        }
        return {"tables": tables, "sequences": sequences, "files": files}

    # commands
    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            DATABASE_URL=self.url,
            MEDIA_ROOT=str(self.media),
            SIMPUL_BACKUP_DIR=str(self.backups),
            DEBUG="0",
        )
        env.update(extra)
        return env

    def manage(self, *args: str, input: str | None = None, check: bool = True, **env: str):
        result = subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            cwd=BASE_DIR,
            env=self.env(**env),
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def backup(self) -> Path:
        result = self.manage("backup")
        archives = sorted(self.backups.glob("simpul-*.tar"), key=lambda p: p.stat().st_mtime)
        assert archives, result.stdout
        assert str(archives[-1]) in result.stdout
        return archives[-1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo with three uploaded photos, in a database of its own; dropped at the end."""
    site = Site(tmp_path_factory.mktemp("backup"))
    site.create()
    try:
        site.manage("shell", "-c", PREPARE[VENDOR])
        for name, content in EXTRA_FILES.items():
            (site.media / name).parent.mkdir(parents=True, exist_ok=True)
            (site.media / name).write_bytes(content)
        yield site
    finally:
        site.drop()


# --- The round trip -----------------------------------------------------------------------------


def test_backup_and_restore_bring_back_every_row_and_file(site):
    before = site.state()
    assert before["tables"]["indicators_user"][0] >= 10  # the demo is there
    assert set(EXTRA_FILES) <= set(before["files"])
    if VENDOR == "postgresql":
        assert sum(rows for rows, _ in before["tables"].values()) > 10_000
        # the signed agreement, 3 photos and 3 thumbnails
        assert len([name for name in before["files"] if name.startswith("meetings/")]) >= 7

    archive = site.backup()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert {f"media/{name}" for name in before["files"]} <= set(names)
    assert manifest["database"]["vendor"] == VENDOR
    assert {k: v for k, v in manifest["tables"].items() if k != "sqlite_sequence"} == {
        k: rows for k, (rows, _) in before["tables"].items() if k != "sqlite_sequence"
    }
    assert ["kernel", "0001_initial"] in manifest["migrations"]
    assert manifest["media"] == {
        name: {"sha256": digest, "size": (site.media / name).stat().st_size}
        for name, digest in before["files"].items()
    }

    # Over a live site that went on: rows deleted and changed, a table added, files changed.
    site.execute(
        "DELETE FROM django_migrations WHERE app = 'sessions'",
        "UPDATE indicators_user SET first_name = 'changed'",
        "CREATE TABLE stray (x integer)",
    )
    (site.media / "exports/2026/01/laporan.pdf").write_bytes(b"not the report")
    (site.media / "imports/2026/01/nilai bulanan é.xlsx").unlink()
    (site.media / "stray.txt").write_text("added after the backup")
    assert site.state() != before

    result = site.manage("restore", str(archive), "--noinput")
    assert "match the backup" in result.stdout
    assert site.state() == before

    # From nothing: the database dropped, every file deleted.
    site.drop()
    site.create()
    shutil.rmtree(site.media)
    result = site.manage("restore", str(archive), "--noinput")
    assert "match the backup" in result.stdout, result.stdout
    assert site.state() == before


# --- Refusals (in this process: pytest-django refuses any database access, so a refusal that
# touched the database would fail the test) --------------------------------------------------------


@pytest.fixture(scope="module")
def archive(site):
    return site.backup()


@pytest.fixture
def elsewhere(settings, tmp_path):
    """MEDIA_ROOT and the backup folder of this process, in tmp_path, with one file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIMPUL_BACKUP_DIR = tmp_path / "backups"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "kept.txt").write_text("still here")
    return tmp_path


def _rewrite(archive: Path, target: Path, *, manifest: bytes | None) -> Path:
    """A copy of `archive` with its manifest replaced (or left out when None)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as copy:
        for member in source:
            if member.name != "manifest.json":
                copy.addfile(member, source.extractfile(member))
        if manifest is not None:
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            copy.addfile(info, io.BytesIO(manifest))
    return target


def _media(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_restore_refuses_an_archive_without_a_good_manifest(archive, elsewhere):
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    name = "exports/2026/01/laporan.pdf"
    tampered = dict(manifest, media=dict(manifest["media"]))
    tampered["media"][name] = dict(tampered["media"][name], sha256="0" * 64)
    escaping = dict(manifest, media={"../outside.txt": manifest["media"][name]})
    cases = {
        "missing": (None, "has no manifest.json"),
        "not json": (b"{not json", "manifest.json is corrupt"),
        "not ours": (json.dumps({"format": "other"}).encode(), "not a Simpul backup manifest"),
        "no tables": (json.dumps(dict(manifest, tables=None)).encode(), "table counts"),
        "outside": (json.dumps(escaping).encode(), "outside the media folder"),
        "wrong hash": (json.dumps(tampered).encode(), "differs from its manifest entry"),
    }
    for case, (body, message) in cases.items():
        bad = _rewrite(archive, elsewhere / f"{case.replace(' ', '-')}.tar", manifest=body)
        with pytest.raises(CommandError, match="Restore (refused|failed)") as error:
            call_command("restore", str(bad), "--noinput", stdout=io.StringIO())
        assert message in str(error.value), (case, str(error.value))
    not_tar = elsewhere / "not-a-backup.tar"
    not_tar.write_bytes(b"hello")
    with pytest.raises(CommandError, match="not a readable tar archive"):
        call_command("restore", str(not_tar), "--noinput", stdout=io.StringIO())
    assert _media(elsewhere / "media") == ["kept.txt"]  # nothing unpacked, nothing left behind
    assert list((elsewhere / "backups").iterdir()) == []


def test_restore_asks_first_and_stops_on_no(archive, elsewhere, monkeypatch):
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "no")
    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert "Type 'yes' to continue" in questions[0]
    assert _media(elsewhere / "media") == ["kept.txt"]


def test_restore_refuses_a_backup_of_the_other_database(archive, elsewhere):
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    other = "sqlite" if VENDOR == "postgresql" else "postgresql"
    dump = {"postgresql": "database.sql.gz", "sqlite": "database.sqlite3.gz"}[other]
    manifest["database"].update(vendor=other, file=dump)
    bad = _rewrite(archive, elsewhere / "other.tar", manifest=json.dumps(manifest).encode())
    with pytest.raises(CommandError, match=f"holds a {other} database"):
        call_command("restore", str(bad), "--noinput", stdout=io.StringIO())


# --- Keeping archives, failing loudly -----------------------------------------------------------


def test_backup_keeps_the_newest_archives(site):
    old = []
    for n in range(3):
        path = site.backups / f"simpul-old-2020010{n}-000000.tar"
        path.write_bytes(b"old")
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
        old.append(path)
    other = site.backups / "keep-me.tar"
    other.write_bytes(b"not ours")
    before = set(site.backups.glob("simpul-*.tar")) - set(old)
    result = site.manage("backup", "--keep", str(len(before) + 3))  # it, before, 2 old
    assert "Backup written" in result.stdout
    assert not old[0].exists() and old[1].exists() and old[2].exists()
    assert other.exists()
    assert not list(site.backups.glob(".*"))  # no partial archive, no staging folder
    old[1].unlink(), old[2].unlink(), other.unlink()


@pytest.mark.skipif(VENDOR != "postgresql", reason="pg_dump backs up PostgreSQL only")
def test_backup_fails_loudly_without_pg_dump(site, tmp_path):
    before = set(site.backups.iterdir())
    result = site.manage("backup", check=False, PATH=str(tmp_path))
    assert result.returncode != 0
    assert "pg_dump is not installed" in result.stderr
    assert set(site.backups.iterdir()) == before
