"""`experiment-service api-keys`: create, list and revoke keys in the server's database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from experiment_service.cli.options import add_database_flag


def register(commands: Any) -> None:
    keys = commands.add_parser(
        "api-keys",
        help="create, list and revoke platform API keys",
        description="Manage platform API keys in the database the server uses.",
    )
    actions = keys.add_subparsers(dest="key_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key and print it (once)")
    create.add_argument("--workspace", required=True, help="the workspace the key opens")
    create.add_argument("--name", help="a label to recognise the key by")
    listing = actions.add_parser("list", help="list keys (never their secret)")
    listing.add_argument("--workspace", help="only this workspace's keys")
    revoke = actions.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id", help="the id shown by `create` or `list` (key_...)")
    for action in (create, listing, revoke):
        add_database_flag(action)
    keys.set_defaults(run=lambda args: asyncio.run(_run(args)))


async def _run(args: argparse.Namespace) -> int:
    from experiment_service.domain.errors import DomainError
    from experiment_service.domain.platform.api_keys import ApiKeys
    from experiment_service.storage.database import Database, DatabaseUnusable

    try:
        database = Database(args.database_url)
    except DatabaseUnusable as error:
        print(f"experiment-service: {error}", file=sys.stderr)
        return 2
    try:
        await database.migrate()
        print(f"database: {database.display_url}", file=sys.stderr)
        keys = ApiKeys(database)
        if args.key_command == "create":
            record, secret = await keys.create(args.workspace, args.name)
            print(f"id:        {record.id}\nworkspace: {record.workspace}\nkey:       {secret}")
            print("Store the key now: it is not kept and cannot be shown again.", file=sys.stderr)
        elif args.key_command == "list":
            for record in await keys.list(args.workspace):
                state = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
                print(
                    f"{record.id}  {record.workspace}  {record.prefix}...  "
                    f"{record.name or '-'}  {state}"
                )
        else:
            record = await keys.revoke(args.key_id)
            print(f"revoked {record.id} ({record.workspace})")
    except DomainError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    except DatabaseUnusable as error:
        print(f"experiment-service: {error}", file=sys.stderr)
        return 2
    finally:
        await database.close()
    return 0
