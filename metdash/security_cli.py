"""``metdash user add|passwd|disable|enable|role|list``, ``metdash backup``, ``metdash restore``.

Passwords are never taken as an argument (it would land in the shell's history and in
``ps``): they are read with a hidden prompt, or from standard input with
``--password-stdin`` (for scripts: ``metdash user add ... --password-stdin < file``).
"""

from __future__ import annotations

import getpass
import os
import sys

import click

from metdash.errors import StoreError, UserError


def _user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser() or "cli"
    except Exception:  # no user database entry (containers)
        return "cli"


def _read_password(from_stdin: bool, confirm: bool = True) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.")


def register(main: click.Group) -> None:
    """Add the user, backup and restore commands to the ``metdash`` group."""
    from metdash.cli import DB_OPTION, open_db

    def fail(exc: Exception) -> click.ClickException:
        return click.ClickException(str(exc))

    @main.group("user")
    def user_group() -> None:
        """Manage who may sign in to the dashboard, and in which role.

        Roles: owner (everything, users, audit log), biller (claims, payments, imports,
        exports, dashboards), front_desk (clients, referrals, sessions), viewer
        (dashboards, without names, birth dates, member ids, addresses or phones).
        """

    @user_group.command("add")
    @DB_OPTION
    @click.argument("username")
    @click.option("--role", type=click.Choice(["owner", "biller", "front_desk", "viewer"]),
                  required=True, help="What the user may do (see 'metdash user --help').")
    @click.option("--name", "display_name", default=None,
                  help="The name shown in the app (default: the username).")
    @PASSWORD_STDIN
    def user_add(db_path: str | None, username: str, role: str, display_name: str | None,
                 password_stdin: bool) -> None:
        """Add a user (the password is asked for twice, hidden)."""
        from metdash import auth

        password = _read_password(password_stdin)
        try:
            user = auth.add_user(open_db(db_path), username, password, role, by=_user(),
                                 display_name=display_name)
        except (UserError, StoreError) as exc:
            raise fail(exc) from exc
        click.echo(f"added {user.username} ({user.role})")

    @user_group.command("passwd")
    @DB_OPTION
    @click.argument("username")
    @PASSWORD_STDIN
    def user_passwd(db_path: str | None, username: str, password_stdin: bool) -> None:
        """Set a user's password (and lift a lock after failed sign-ins)."""
        from metdash import auth

        password = _read_password(password_stdin)
        try:
            auth.set_password(open_db(db_path), username, password, by=_user())
        except (UserError, StoreError) as exc:
            raise fail(exc) from exc
        click.echo(f"password of {auth.normalise_username(username)} changed")

    @user_group.command("disable")
    @DB_OPTION
    @click.argument("username")
    def user_disable(db_path: str | None, username: str) -> None:
        """Disable a user: no more sign-ins; an open session ends at its next click."""
        from metdash import auth

        try:
            auth.disable_user(open_db(db_path), username, by=_user())
        except (UserError, StoreError) as exc:
            raise fail(exc) from exc
        click.echo(f"disabled {auth.normalise_username(username)}")

    @user_group.command("enable")
    @DB_OPTION
    @click.argument("username")
    def user_enable(db_path: str | None, username: str) -> None:
        """Enable a disabled user again."""
        from metdash import auth

        try:
            auth.disable_user(open_db(db_path), username, by=_user(), active=True)
        except (UserError, StoreError) as exc:
            raise fail(exc) from exc
        click.echo(f"enabled {auth.normalise_username(username)}")

    @user_group.command("role")
    @DB_OPTION
    @click.argument("username")
    @click.argument("role", type=click.Choice(["owner", "biller", "front_desk", "viewer"]))
    def user_role(db_path: str | None, username: str, role: str) -> None:
        """Give a user another role."""
        from metdash import auth

        try:
            auth.set_role(open_db(db_path), username, role, by=_user())
        except (UserError, StoreError) as exc:
            raise fail(exc) from exc
        click.echo(f"{auth.normalise_username(username)} is now {role}")

    @user_group.command("list")
    @DB_OPTION
    def user_list(db_path: str | None) -> None:
        """List the users: name, role, active, failed sign-ins, last sign-in."""
        from metdash import auth

        try:
            frame = auth.list_users(open_db(db_path))
        except StoreError as exc:
            raise fail(exc) from exc
        if frame.empty:
            click.echo("no users yet: add the owner with "
                       "'metdash user add --role owner USERNAME'")
            return
        for r in frame.itertuples(index=False):
            last = "never" if r.last_login is None or str(r.last_login) == "NaT" \
                else str(r.last_login)
            state = "active" if r.active else "disabled"
            click.echo(f"{r.username:20s} {r.role:10s} {state:8s} "
                       f"failed={r.failed_attempts} last sign-in {last}  ({r.display_name})")

    @main.command("backup")
    @DB_OPTION
    @click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
                  help="The folder for backups (default: $METDASH_BACKUP_DIR, else backups/ "
                       "beside the database file).")
    @click.option("--keep", type=click.IntRange(min=1), default=None,
                  help="Keep this many newest backups of the database in the folder "
                       "(default: $METDASH_BACKUP_KEEP, else 10).")
    def backup_cmd(db_path: str | None, out_dir: str | None, keep: int | None) -> None:
        """Write a consistent copy of the database file (safe while the app runs)."""
        from metdash.store.backup import backup

        try:
            path = backup(open_db(db_path), out_dir, reason="manual", keep=keep)
        except StoreError as exc:
            raise fail(exc) from exc
        click.echo(f"backup written: {path}")

    @main.command("restore")
    @DB_OPTION
    @click.option("--from", "source", required=True, type=click.Path(dir_okay=False),
                  help="The backup file to restore (from 'metdash backup').")
    @click.option("--force", is_flag=True,
                  help="Replace an existing database file (it is backed up first).")
    def restore_cmd(db_path: str | None, source: str, force: bool) -> None:
        """Replace the database file with a backup. Stop the dashboard first."""
        from metdash.store.backup import restore

        target = open_db(db_path).path
        try:
            saved = restore(target, source, force=force)
        except StoreError as exc:
            raise fail(exc) from exc
        if saved:
            click.echo(f"the replaced database was saved as {saved}")
        click.echo(f"restored {target} from {source}")
