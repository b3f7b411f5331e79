"""What travels between kernel and page: arrays as {dtype, shape, buffer} (codec), the synced widget state
built from sections by one function (state), and the custom messages of lazy widgets (messages)."""
