"""``flask --app mkr_web mkr …``: the command group; one module per topic adds its commands."""

from __future__ import annotations

from flask.cli import AppGroup

from .citus import citus_keys_cmd
from .demo import demo_cmd
from .report import report_cmd
from .tenancy import create_tenant_cmd, create_user_cmd

mkr_cli = AppGroup("mkr", help="MKR administration commands.")
for command in (citus_keys_cmd, create_tenant_cmd, create_user_cmd, demo_cmd, report_cmd):
    mkr_cli.add_command(command)
