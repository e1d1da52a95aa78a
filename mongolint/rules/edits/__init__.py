"""The building blocks of fixes: edits that keep layout and comments.

`statements` rewrites blocks (wrap in `with`, replace a span, drop a line);
`expressions` edits calls and expressions (add or remove a keyword, `await`).
Rules compose them into a `Fix`; `mongolint.fixes` applies fixes to files.
"""
