"""Pure ketamine pharmacology engine (numpy/scipy; imports no Django).

Modules: ``models`` (model specification, weight scaling, custom models),
``library`` (published models with citations), ``linear`` (state-space systems
and their exact solution), ``plans`` (dose plans and pump arithmetic),
``simulate`` (typical-patient prediction), ``tci`` (plasma and effect-site
target-controlled infusion), ``population`` (between-subject variability and
percentile bands), ``plots`` (SVG), ``cli`` (``ketaclinic pk``), ``errors``.
Units: L, L/min, 1/min, mg, mg/min, min (s for TCI periods); concentrations
are mg/L inside the engine and ng/mL (= 1000 x mg/L) at the API.
"""
