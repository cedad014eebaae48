"""Quoted passages are linked to the message they quote."""
from __future__ import annotations

from miner import Workspace
from miner.ingest.quotes import link_quotes

ROOT_MSG = """From a@example.org Mon Mar  2 10:00:00 2020
From: Ana Lopez <a@example.org>
Subject: Participatory budgeting in small towns
Date: Mon, 2 Mar 2020 10:00:00 +0000
Message-ID: <root@example.org>

Dear colleagues, in our municipality we opened the budget hearings to every resident.
The attendance tripled once we moved the hearings to the evening and streamed them online.

"""
REPLY = """From b@example.net Mon Mar  2 12:00:00 2020
From: Ben Okafor <b@example.net>
Subject: Re: Participatory budgeting in small towns
Date: Mon, 2 Mar 2020 12:00:00 +0000
Message-ID: <reply@example.org>
In-Reply-To: <root@example.org>

On Mon, 2 Mar 2020, Ana Lopez wrote:
> Dear colleagues, in our municipality we opened the budget hearings to every resident.
> The attendance tripled once we moved the hearings to the evening and streamed them
> online.

Evening hearings worked for us too.

"""
OTHER = """From c@example.com Mon Mar  2 13:00:00 2020
From: Chen Wei <c@example.com>
Subject: Re: Participatory budgeting in small towns
Date: Mon, 2 Mar 2020 13:00:00 +0000
Message-ID: <other@example.org>
In-Reply-To: <root@example.org>

Someone wrote elsewhere:
> This sentence appears in no message of the archive at all, anywhere.

I disagree.

"""


def test_reply_quote_links_to_its_parent_and_unknown_quotes_stay_unlinked(tmp_path):
    (tmp_path / "a.mbox").write_text(ROOT_MSG + REPLY + OTHER, encoding="utf-8")
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ws.ingest([str(tmp_path / "a.mbox")])
        assert link_quotes(ws.db, only_new=False) == 1
        rows = dict(ws.db.execute("SELECT message_id, quotes_key FROM messages").fetchall())
        assert rows["reply@example.org"] == "root@example.org"
        assert rows["other@example.org"] == ""
        assert link_quotes(ws.db) == 0  # idempotent: nothing new to examine


def test_ingest_links_quotes_of_new_messages_only_once(tmp_path):
    """The post-ingest phase links quotes; a reply whose parent arrives later is linked then."""
    (tmp_path / "1.mbox").write_text(REPLY + OTHER, encoding="utf-8")
    (tmp_path / "2.mbox").write_text(ROOT_MSG, encoding="utf-8")
    with Workspace.open(tmp_path / "ws", create=True) as ws:
        ws.ingest([str(tmp_path / "1.mbox")])
        rows = dict(ws.db.execute("SELECT message_id, quotes_key FROM messages").fetchall())
        assert rows == {"reply@example.org": "", "other@example.org": ""}
        ws.ingest([str(tmp_path / "2.mbox")])
        rows = dict(ws.db.execute("SELECT message_id, quotes_key FROM messages").fetchall())
        assert rows["reply@example.org"] == "root@example.org"
        assert rows["other@example.org"] == ""
        assert link_quotes(ws.db) == 0
