"""Pure ketamine pharmacology engine (numpy/scipy; imports no Django).

Modules, by workflow (tests/pharmacology/test_layout.py checks that their
imports have no cycles and use no other module's private names):

* solving: ``systems`` (state-space systems, eigen-decomposition), ``schedule``
  (piecewise-constant input), ``propagation`` (exact modal and expm kernels),
  ``grid`` (fast uniform grids), ``linear`` (``solve`` at any times);
* models: ``compartments`` (mammillary systems), ``models`` (model
  specification, weight scaling, custom models), ``perez_ruixo`` and
  ``library`` (published models with citations);
* dosing: ``validation`` (input checks), ``body_weight`` (dosing weight),
  ``pump`` (pump arithmetic), ``dose_plans`` (plans and regimens), ``chart``
  (charted history to plan), ``plans`` (one import point for the four);
* prediction: ``simulate`` (typical patient), ``population`` (between-subject
  variability, percentile bands), ``tci_schedule``, ``effect_planner`` and
  ``tci`` (plasma and effect-site target-controlled infusion), ``plots`` (SVG);
* ``cli_args``, ``cli_inputs``, ``cli`` (``ketaclinic pk``); ``errors``.

Units: L, L/min, 1/min, mg, mg/min, min (s for TCI periods); concentrations
are mg/L inside the engine and ng/mL (= 1000 x mg/L) at the API.
"""
