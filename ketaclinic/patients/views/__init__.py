"""Views of the patients app: the list and new-patient form (``listing``), the chart and its tabs
(``chart``), adding and striking entries (``entries``), and the printable summary (``export``)."""
