"""Client galleries (issue 81), no Qt: the access code (`access`), the signed
selection file (`selection`), the copies and the page a make writes (`make`,
`copies`, `page_files`), and the HTTP server that serves one gallery and
stores each heart as it is given (`server`, `guard`). The catalog side —
galleries, hearts, the rules — is `catalog.proofing`."""
