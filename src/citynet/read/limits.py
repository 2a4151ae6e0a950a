"""The reader's limits: how much of a hostile page it reads, so no page can exhaust the
machine (docs/reliability.md, "Hostile pages").

Every scan of the reader is linear in the line it reads; these limits also bound the
constants (what one line can make the later stages do). Beyond a limit the reader skips
what it says in a ``limit`` warning (``file:line: ...``) and reads the rest of the
page. Real profile pages stay far below them: their longest line has about 600
characters, their longest twin list 15 names, no page more than 60 twins and activities, and no
line has more than 10 links.
"""

from __future__ import annotations

#: A longer line is not read at all (its warning quotes its start only).
MAX_LINE_CHARS = 20_000
#: [link] shortcodes read on one line; further ones are dropped, their labels kept as text.
MAX_LINKS_PER_LINE = 100
#: Twins read from one line; further names are not read.
MAX_LIST_ITEMS = 200
#: Twins and activities read from one page; further twin and activity lines are skipped
#: (one warning counts them). A line that crosses the limit is still read whole.
MAX_PAGE_ITEMS = 1_000
#: Warnings kept for one line; the rest are counted in one last warning.
MAX_WARNINGS_PER_LINE = 20
#: Characters of a skipped line quoted in its warning.
QUOTED_CHARS = 100
