"""The ledger's write layer. Every action checks permission (``ledger.policies``), writes
inside ``transaction.atomic()``, appends to the clinic's hash chain (``ledger.chain``) and
records an audit entry (``ledger.audit_events``). Bad input raises ``ValidationError`` keyed
by field; a missing permission raises ``PermissionDenied``.

Quantities are ``Decimal`` mg and mL (three places). Where ``ml`` is omitted it is computed as
``mg / strength`` (the whole remaining mL when ``mg`` is the whole remaining balance).
``idempotency_key`` (a form's uuid4 hex): a second call with the same key returns the first
call's transaction and writes nothing.

Signatures (the contract the screens, reports and demo build on)::

    # setup (custodian)                                      -> actions.setup
    create_registration(by, *, dea_number, registrant_name, address, schedules="III, IV",
                        retention_years=2, request=None) -> Registration
    create_location(by, registration, *, name, kind=LocationKind.SAFE, request=None)
        -> StorageLocation
    create_drug_item(by, *, name, substance, schedule, strength_mg_per_ml, container_volume_ml,
                     ndc="", form="injection, solution", units_per_container=None,
                     request=None) -> DrugItem
    create_supplier(by, *, name, address, dea_number, request=None) -> Supplier

    # stock (custodian)                                      -> actions.stock
    receive(by, *, drug, supplier, lot_number, expiry, invoice_number, received_on, location,
            labels: Sequence[str], mg_per_container=None, ml_per_container=None,
            clinical_at=None, idempotency_key="", request=None) -> list[Transaction]
    transfer(by, container, to_location, *, reason="", clinical_at=None, idempotency_key="",
             request=None) -> Transaction

    # session (nurse/physician)                              -> actions.session
    draw(by, container, session, mg, ml=None, *, clinical_at=None, idempotency_key="",
         request=None) -> Transaction
    administer(by, container, session, mg, ml=None, *, clinical_at=None, idempotency_key="",
               request=None) -> Transaction
        # mg: the session's delivered mg as charted (ketaclinic.infusions.pk.delivered_mg
        # (session) once it lands) — the caller passes it; the ledger does not compute it.
    waste(by, container, session, mg, method, witness_user, witness_password,
          witness_otp_token, ml=None, *, clinical_at=None, idempotency_key="", request=None)
        -> Transaction
    return_to_stock(by, container, session, mg, ml=None, *, reason="", clinical_at=None,
                    idempotency_key="", request=None) -> Transaction

    # disposal and corrections                               -> actions.disposal
    report_loss(by, container, mg, ml=None, *, theft=False, session=None, reason,
                discovered_at=None, idempotency_key="", request=None)
        -> tuple[Transaction, LossReport]
    destroy(by, container, mg, ml=None, *, method, form_41: dict, witnesses:
            Sequence[Witness] (exactly two), expired=False, reason="", clinical_at=None,
            idempotency_key="", request=None) -> Transaction
    adjust(by, container, mg_delta, ml_delta=None, *, reason, witness: Witness,
           clinical_at=None, idempotency_key="", request=None) -> Transaction
    correct(by, original, *, mg, ml=None, reason, idempotency_key="", request=None)
        -> Transaction     # mg/ml: what the original should have said (0 = entered in error)

    # oversight (custodian unless said)                      -> actions.oversight
    record_count(by, *, counted_ml: Mapping[Container, Decimal], location=None,
                 occasion=Count.Occasion.SHIFT, note="", idempotency_key="", request=None)
        -> Count           # blind: expected computed after entry; a Discrepancy per mismatch
    open_session_discrepancy(by, session, *, request=None) -> Discrepancy | None
    add_discrepancy_note(by, discrepancy, text, *, request=None) -> DiscrepancyNote
        # custodian, nurse or physician
    resolve_discrepancy(by, discrepancy, *, resolution, resolved_with=None, request=None)
        -> Discrepancy     # the custodian's sign-off
    record_written_notice(by, report, *, sent_at=None, request=None) -> LossReport
    record_form_106(by, report, *, reference, filed_at=None, request=None) -> LossReport
    record_inventory(by, registration, *, kind, taken_on, business_time,
                     lines: Sequence[InventoryCount], note="", request=None) -> Inventory

``Witness(user, password, otp_token)`` and ``InventoryCount(container, counted_ml, estimated)``
are dataclasses in ``actions._base`` / ``actions.oversight``.

Reading (no permission check; the views check ``policies.can_read``)::

    reconcile.reconciliation(session) -> Reconciliation   # the ketamine: a NamedTuple
        (drawn_mg, administered_mg, wasted_mg, returned_mg, ok, message)
    reconcile.reconciliations(session) -> list[DrugReconciliation]   # per drug, with lost_mg
    reconcile.sign_blocker(session) -> list[str]          # registered in LedgerConfig.ready
    balances.balances(clinic_id=None) -> {"containers": [...], "lots": [...], "locations": [...]}
    queries.effective(transactions) / session_totals(session_id) / outstanding_mg(s, c)
    verify.verify_ledger() -> VerifyResult(ok, checked, containers, first_bad_id, problem)
    tasks.due_items(clinic_id, today) -> list[str]        # loss-report steps, biennial inventory
"""
