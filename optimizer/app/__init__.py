"""The what-if page (``optimizer app``): a local Streamlit page over the pipeline.

Optional: ``pip install -e ".[app]"`` brings Streamlit. The page (:mod:`.page`) changes
the levers of a workbook as ``--set`` overrides (:mod:`.levers`), solves them through
:func:`optimizer.runs.pipeline.run` in a background process (:mod:`.jobs`) and shows
the run folder it wrote (:mod:`.views`, :mod:`.deck`, :mod:`.results`); it holds no
model logic. Nothing is imported here, so that the package can be named without
Streamlit installed.
"""
