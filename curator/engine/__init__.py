"""The pipeline's engine, with no stage in it: crash-isolated child processes
(`isolation`), the generic stage runner on a QThreadPool (`stage_runner`), the
import and app locks (`lock`) and the progress records (`progress`).

May use QtCore, never widgets; never imports `curator.pipeline` (the stages
stand on the engine, not the other way round), so `curator.export` can decode
in the same child processes.
"""
