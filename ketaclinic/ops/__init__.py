"""Operations: the task queue and its worker, backups and restores, audit-head anchors."""
