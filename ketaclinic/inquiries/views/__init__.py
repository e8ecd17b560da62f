"""Views of the inquiries app, split by workflow: public pages, the list, one inquiry."""
