"""Installation tooling: the system-library check run before Qt loads
(`setup_check`, `setup_unpack`), the display check (`display`), `curator doctor`,
`curator --self-test` and the demo folder. The pre-Qt modules import no PySide6.
"""
