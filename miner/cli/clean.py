"""`miner clean`: segment one message body (or one .eml) into new text, quotes, signature...

Thin: read the input, call :func:`miner.clean.segment`, print. No workspace needed and
no heavy import, so it can be called once per message from scripts.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from miner.cli._common import JsonOpt, emit_json, run
from miner.errors import SourceError

_COLOURS = {
    "new": None, "salutation": "cyan", "closing": "cyan", "code": "green", "log": "green",
    "quote": "bright_black", "reply_header": "blue", "forwarded": "blue",
    "signature": "magenta", "footer": "yellow", "disclaimer": "yellow",
}


def _read(file: Optional[Path]) -> bytes:
    if file is None or str(file) == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(file).read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{file}: no such file; give a message body file, or '-' for stdin") from None
    except IsADirectoryError:
        raise SourceError(f"{file}: is a folder; give one message file") from None
    except OSError as e:
        raise SourceError(f"{file}: cannot be read ({e.strerror})") from None


def _body_of_eml(raw: bytes, where: str) -> str:
    try:
        from miner.ingest.mime import parse_bytes
    except ImportError:  # the MIME decoder is not there yet: the stdlib does the job
        parse_bytes = None
    if parse_bytes is not None:
        return parse_bytes(raw).body
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        raise SourceError(f"{where}: the message has no text/plain part")
    try:
        return part.get_content()
    except (LookupError, UnicodeError) as e:
        payload = part.get_payload(decode=True) or b""
        if not payload:
            raise SourceError(f"{where}: cannot decode the text part ({e})") from None
        return payload.decode("utf-8", "replace")


def register(app: typer.Typer) -> None:
    @app.command("clean")
    @run
    def clean(
        file: Optional[Path] = typer.Argument(None, help="Message body file (plain text); '-' or absent: stdin."),
        eml: bool = typer.Option(False, "--eml", help="FILE is a whole RFC 822 message: decode MIME first."),
        show: bool = typer.Option(False, "--show", help="Print every segment, labelled and coloured."),
        json_: bool = JsonOpt,
    ) -> None:
        """Split one message into new text, quotes, reply headers, signature, footer...

        Example: miner clean --eml reply.eml --json
        """
        from miner.clean import segment

        raw = _read(file)
        where = "stdin" if file is None or str(file) == "-" else str(file)
        text = _body_of_eml(raw, where) if eml else raw.decode("utf-8", "replace")
        cleaned = segment(text)
        if json_:
            emit_json({
                "new_text": cleaned.new_text,
                "segments": [{"kind": s.kind, "start": s.start, "end": s.end} for s in cleaned.segments],
            })
            return
        if show:
            colour = sys.stdout.isatty()
            for s in cleaned.segments:
                label = f"[{s.kind}]"
                body = text[s.start : s.end].rstrip("\n")
                if colour and _COLOURS.get(s.kind):
                    typer.echo(typer.style(label, bold=True) + "\n" + typer.style(body, fg=_COLOURS[s.kind]))
                else:
                    typer.echo(f"{label}\n{body}")
            return
        typer.echo(cleaned.new_text)
