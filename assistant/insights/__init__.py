"""What the gap log tells the EX team and knowledge managers: themes, EX dimensions, friction, trends, needs."""
