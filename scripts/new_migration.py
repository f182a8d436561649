"""Write a new Alembic revision from the difference between the tables and the migrations.

    python scripts/new_migration.py "what changed"

It upgrades a scratch SQLite database to head, autogenerates the next revision from
`storage/tables.py`, and tidies the result (numbered id, ruff format). Review it before committing:
autogenerate does not see everything (renames, data moves).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from experiment_service.storage.migrate import MIGRATIONS_DIR, alembic_config


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    message = sys.argv[1]
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    next_id = f"{max((int(h) for h in heads), default=0) + 1:04d}"
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        with engine.begin() as connection:
            config = alembic_config(connection)
            command.upgrade(config, "head")
            command.revision(config, message=message, autogenerate=True, rev_id=next_id)
    path = next(MIGRATIONS_DIR.joinpath("versions").glob(f"{next_id}_*.py"))
    source = path.read_text()
    source = re.sub(r"\n\s*# ### .*###", "", source)
    source = source.replace("astext_type=Text()", "")
    source = re.sub(
        r"Create Date: .*", f"Create Date: {datetime.now(UTC):%Y-%m-%d}", source, count=1
    )
    source = source.replace("Revises: \n", "Revises:\n")
    if "postgresql." not in source:
        source = source.replace("from sqlalchemy.dialects import postgresql\n", "")
    path.write_text(source)
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "ruff", "check", "--fix", "--select", "I,F401", "-q", path])
    subprocess.run([bin_dir / "ruff", "format", "-q", path], check=True)
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
