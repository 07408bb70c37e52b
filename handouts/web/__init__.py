"""The front-desk page (`handouts serve`): one location, document, language and patient at a time, in a browser.

`app` is the Flask application (routes, CSRF and origin checks, headers), `choices` reads and
checks what the form asks for, `render` makes the PDFs and previews in worker processes, and
`server` runs it all under waitress. The page calls the library through handouts.api only.
"""
