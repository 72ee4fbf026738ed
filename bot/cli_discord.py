"""`autoweb discord` (the adapter) and `autoweb discord sync-commands` (register `/autoweb` with Discord)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot import metrics
from bot.cli import _adapter_not_configured, _require, _run_adapter, _serve_metrics, app, fail, out
from bot.runtime import configure_logging
from bot.service import CommandService
from bot.settings import BotSettings
from storage.settings import StorageSettings

discord_app = typer.Typer(help="The Discord adapter, and its app commands.")
app.add_typer(discord_app, name="discord")


@discord_app.callback(invoke_without_command=True)
def discord(
    context: typer.Context,
    metrics_port: Annotated[int | None, typer.Option(help="Serve GET /metrics here (default: METRICS_PORT).")] = None,
) -> None:
    """Run the Discord adapter (app commands `/autoweb`, @mentions, a thread per project). Register the commands
    first, once per release: `autoweb discord sync-commands`."""
    if context.invoked_subcommand is not None:
        return
    from discord import LoginFailure

    from bot import discord_bot  # discord.py is imported only by the process that runs it

    settings = BotSettings()
    if settings.discord_bot_token is None:
        raise _adapter_not_configured("Discord", "DISCORD_BOT_TOKEN")
    storage = _require(StorageSettings())
    assert storage.redis_url

    async def run(service: CommandService) -> None:
        if port := metrics_port if metrics_port is not None else settings.metrics_port:
            _serve_metrics(port, metrics.registry_for(client=service.ctx.redis, db=service.ctx.db))
        adapter = discord_bot.DiscordAdapter(service, settings, redis_url=storage.redis_url or "")
        await discord_bot.serve(adapter, asyncio.Event())

    try:
        _run_adapter(storage, run)
    except LoginFailure:
        raise fail(DISCORD_REFUSED) from None


DISCORD_REFUSED = "Discord refused DISCORD_BOT_TOKEN: check it in the developer portal (Bot → Token)."


@discord_app.command("sync-commands")
def discord_sync_commands(
    guild: Annotated[
        int | None, typer.Option(help="Only in this server (guild id), where they show at once; default: global.")
    ] = None,
) -> None:
    """Register /autoweb and its subcommands with Discord. Run it once per release, not on every start: Discord
    rate-limits command updates."""
    import discord as discord_py

    from bot import discord_bot

    configure_logging("ERROR")  # discord.py warns about voice and intents, which a sync does not use
    settings = BotSettings()
    if settings.discord_bot_token is None:
        raise _adapter_not_configured("Discord", "DISCORD_BOT_TOKEN")
    try:
        synced, invite = asyncio.run(discord_bot.sync_commands(settings, guild))
    except discord_py.LoginFailure:
        raise fail(DISCORD_REFUSED) from None
    except discord_py.RateLimited as exc:
        raise fail(f"Discord rate-limits command updates: try again in {exc.retry_after:.0f} s.") from None
    except discord_py.HTTPException as exc:
        where = f" in server {guild} (is the bot in it, invited with the applications.commands scope?)" if guild else ""
        raise fail(f"Discord refused the sync{where}: HTTP {exc.status} {exc.text[:200]}") from None
    except (OSError, TimeoutError) as exc:
        raise fail(f"Discord API unreachable ({type(exc).__name__}): check DISCORD_API_URL.") from None
    names = ", ".join(sorted(option.name for command in synced for option in command.options))
    target = f"server {guild}" if guild else "every server the bot is in"
    out.print(f"Synced /autoweb ({names}) for {target}.", markup=False, soft_wrap=True)
    out.print(f"Invite the bot to a server: {invite}", markup=False, soft_wrap=True)
