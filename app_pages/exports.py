"""Downloads: search results as CSV or mbox, a consolidated reply as md/html/docx, the whole
corpus pseudonymised. Built on click (download buttons take these as callables), honouring the
pseudonymise switch."""
from __future__ import annotations

from pathlib import Path


def hits_csv(hits) -> bytes:
    """The shown results as CSV (spreadsheet-safe cells)."""
    import csv
    import io

    from miner.export.messages import _csv_safe

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["score", "date", "author", "subject", "message_id", "thread_id", "list",
                "snippet"])
    for h in hits:
        w.writerow([_csv_safe(x) for x in (
            f"{h.score:.4f}", h.date.isoformat() if h.date else "", h.author_name, h.subject,
            h.message_id, h.thread_id or "", h.list or "", h.snippet)])
    return buf.getvalue().encode("utf-8")


def mbox_of(w, p, message_ids: list[str]) -> bytes:
    """The messages of workspace ``w``: original bytes, or rebuilt and pseudonymised when a
    pseudonymiser ``p`` is given. (Arguments, not session lookups: a download button calls
    this outside the page's script run.)"""
    import io

    buf = io.BytesIO()
    if p is not None:
        from miner.pseudonymise import write_pseudonymised_mbox

        write_pseudonymised_mbox(w.db, buf, message_ids=message_ids, pseudonymiser=p)
    else:
        from miner.export.messages import write_mbox
        from miner.store.app_queries import message_keys

        write_mbox(w.db, buf, keys=message_keys(w.db, message_ids))
    return buf.getvalue()


def reply_bytes(reply, fmt: str) -> bytes:
    """A consolidated reply rendered as md, html or docx bytes (for a download button)."""
    from miner.stages import summary

    if fmt != "docx":
        return summary.render(reply, fmt).encode("utf-8")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="miner-app-") as d:
        out = summary.write_reply(reply, Path(d) / "reply.docx", "docx")
        return out.read_bytes()


def pseudonymised_csv(w) -> bytes:
    """Every message of the workspace, names and addresses replaced, as CSV."""
    import io

    from miner.export.messages import write_csv
    from miner.pseudonymise import pseudonymised_rows

    buf = io.StringIO()
    write_csv(pseudonymised_rows(w.db), buf)
    return buf.getvalue().encode("utf-8")
