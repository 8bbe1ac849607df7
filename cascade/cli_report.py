"""`cascade report`: the review summary (sơ kết, tổng kết) of a directive."""
