"""Analysis stages: each module is one stage (see miner.pipeline) or the library behind one."""
