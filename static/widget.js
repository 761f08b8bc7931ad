// The Plaudit widget: see README.md.
