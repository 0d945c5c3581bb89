"""Client galleries in the catalog (m032, issue 81), no Qt and no web: the
galleries and their photos (`galleries`), and the client's hearts, comments
and confirmation, whose rules hold where they are stored (`picks`)."""
