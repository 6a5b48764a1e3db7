"""The clearly labelled demo dataset (演示数据): users for every role and synthetic monthly actuals."""
