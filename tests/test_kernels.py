"""nbval's chapter kernels use IPC sockets, not TCP ports that another process can take first."""
import json
from pathlib import Path

import nbval.kernel


def test_nbval_kernels_listen_on_ipc_sockets():
    km, kc = nbval.kernel.start_new_kernel(kernel_name=nbval.kernel.CURRENT_ENV_KERNEL_NAME)
    try:
        info = json.loads(Path(km.connection_file).read_text())
        assert info["transport"] == "ipc"
        assert Path(info["ip"]).parent == Path(km.connection_file).parent  # the private folder
        msg_id = kc.execute("6 * 7")
        reply = kc.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
