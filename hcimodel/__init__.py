"""hcimodel: closed-form and Monte Carlo models of VDI storage on HCI clusters.

Layers (a module imports only from layers below it):

1. Foundations: :mod:`~hcimodel.units`, :mod:`~hcimodel.validation`,
   :mod:`~hcimodel.streams`, :mod:`~hcimodel.sweep`, :mod:`~hcimodel.plotting`.
2. General theory: :mod:`~hcimodel.queueing`, :mod:`~hcimodel.caching`,
   :mod:`~hcimodel.simulate`, :mod:`~hcimodel.traces`.
3. Domain models: :mod:`~hcimodel.workload`, :mod:`~hcimodel.hotspot`, ...
4. Applications: :mod:`~hcimodel.figures`, :mod:`~hcimodel.cli`.
"""

__version__ = "0.1.0"
