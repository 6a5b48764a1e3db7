"""Policy compiler (政策编译): turn a work report or speech into draft targets and tasks, each with its quote."""
