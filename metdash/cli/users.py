"""``metdash user add|passwd|disable|enable|role|list``.

Passwords are never taken as an argument (it would land in the shell's history and in
``ps``): they are read with a hidden prompt, or from standard input with
``--password-stdin`` (for scripts: ``metdash user add ... --password-stdin < file``).
"""

from __future__ import annotations

import sys

import click

from metdash.cli.app import DB_OPTION, cli_user, main, open_db


def _read_password(from_stdin: bool, confirm: bool = True) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.")


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
    # Deferred: importing auth hashes a dummy password (~0.15 s).
    from metdash import auth

    db = open_db(db_path)
    if db.scalar("SELECT bool_or(is_demo) FROM practice"):
        # The demo opens without signing in and `metdash demo` may replace it: a user there
        # protects nothing, and real clients typed into it would be open to anyone.
        raise click.ClickException(
            f"{db.path} is the synthetic demo, which opens without signing in: a user there "
            "protects nothing. Add users to your practice's own file, e.g. `metdash user add "
            "--db data/my-practice.duckdb --role owner NAME` (README, step 2).")
    password = _read_password(password_stdin)
    user = auth.add_user(db, username, password, role, by=cli_user(),
                         display_name=display_name)
    click.echo(f"added {user.username} ({user.role})")


@user_group.command("passwd")
@DB_OPTION
@click.argument("username")
@PASSWORD_STDIN
def user_passwd(db_path: str | None, username: str, password_stdin: bool) -> None:
    """Set a user's password (and zero its failed sign-ins; the owner lifts a pause in
    Settings → Users)."""
    # Deferred: importing auth hashes a dummy password (~0.15 s).
    from metdash import auth

    password = _read_password(password_stdin)
    auth.set_password(open_db(db_path), username, password, by=cli_user())
    click.echo(f"password of {auth.normalise_username(username)} changed")


@user_group.command("disable")
@DB_OPTION
@click.argument("username")
def user_disable(db_path: str | None, username: str) -> None:
    """Disable a user: no more sign-ins; an open session ends at its next click."""
    # Deferred: importing auth hashes a dummy password (~0.15 s).
    from metdash import auth

    auth.disable_user(open_db(db_path), username, by=cli_user())
    click.echo(f"disabled {auth.normalise_username(username)}")


@user_group.command("enable")
@DB_OPTION
@click.argument("username")
def user_enable(db_path: str | None, username: str) -> None:
    """Enable a disabled user again."""
    # Deferred: importing auth hashes a dummy password (~0.15 s).
    from metdash import auth

    auth.disable_user(open_db(db_path), username, by=cli_user(), active=True)
    click.echo(f"enabled {auth.normalise_username(username)}")


@user_group.command("role")
@DB_OPTION
@click.argument("username")
@click.argument("role", type=click.Choice(["owner", "biller", "front_desk", "viewer"]))
def user_role(db_path: str | None, username: str, role: str) -> None:
    """Give a user another role."""
    # Deferred: importing auth hashes a dummy password (~0.15 s).
    from metdash import auth

    auth.set_role(open_db(db_path), username, role, by=cli_user())
    click.echo(f"{auth.normalise_username(username)} is now {role}")


@user_group.command("list")
@DB_OPTION
def user_list(db_path: str | None) -> None:
    """List the users: name, role, active, failed sign-ins, last sign-in."""
    # Deferred: importing auth hashes a dummy password (~0.15 s).
    from metdash import auth

    frame = auth.list_users(open_db(db_path))
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
