"""`minhu backup` and `minhu restore`: one dated archive of the database, the stored media and the config file."""
from __future__ import annotations

from pathlib import Path

import click

from bot.store.backup import make_backup, prune
from bot.cli.base import cli_settings
from bot.store.restore import check_backup, restore_backup


def _summary(manifest: dict) -> str:
    database, media = manifest["database"], manifest["media"]
    tables = database["tables"]
    return (f"{database['kind']} database (tickets {tables.get('tickets', 0)}, events {tables.get('ticket_events', 0)}), "
            f"{media['files']} media file(s), config — made {manifest['created_at']} by minhu "
            f"{manifest['versions']['minhu']}")


@click.command()
@click.option("--to", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="folder for the archive (default: the data folder's backups/)")
@click.option("--keep", type=click.IntRange(min=0), default=0, show_default=True,
              help="then delete all but the newest N archives in that folder (0: delete none)")
@click.option("--check", "check_archive", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="ARCHIVE", help="make no backup: verify ARCHIVE's checksums and restore it into a scratch database")
@click.option("--scratch-url", default=None,
              help="with --check of a PostgreSQL dump: a database the check may empty (default: one made and dropped "
                   "on MINHU_DATABASE_URL's server)")
def backup(out_dir: Path | None, keep: int, check_archive: Path | None, scratch_url: str | None) -> None:
    """Back up the database, the stored media and config.yaml into one dated archive; or --check one."""
    settings = cli_settings()
    if check_archive is not None:
        manifest = check_backup(check_archive, scratch_url, settings.secrets.database_url)
        click.echo(f"{check_archive}: ok — every checksum matches and the database restores: {_summary(manifest)}")
        return
    out_dir = out_dir or settings.secrets.data_dir / "backups"
    archive = make_backup(settings, out_dir)
    click.echo(f"{archive} ({archive.stat().st_size} bytes)")
    if settings.secrets.media_s3_bucket:  # the archive holds the data folder's media/ only
        click.echo(f"note: media kept in the bucket {settings.secrets.media_s3_bucket} is not in this archive: "
                   f"back the bucket up with the storage service's versioning or replication")
    for path in prune(out_dir, keep):
        click.echo(f"deleted the older {path.name}")


@click.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace a database that already holds data")
def restore(archive: Path, force: bool) -> None:
    """Restore a backup archive: the database and the media; its config file is put beside the one in use."""
    settings = cli_settings()
    done = restore_backup(archive, settings, force)
    click.echo(f"restored {_summary(done.manifest)}")
    if done.media_aside:
        click.echo(f"the media that were there are kept in {done.media_aside}")
    click.echo(f"the backup's config file is at {done.config_at}: compare it with the one in use "
               f"({settings.config_path}) and copy it over if it should replace it")
    click.echo("start minhu's services again: `minhu db upgrade` (run at every start by the deploy kit) brings an "
               "older backup's schema to this release's")
