"""invoices

Revision ID: b81f0e6c52d4
Revises: 3c9d1e4a7f20
Create Date: 2024-06-03 16:02:55.904117

"""
import sqlalchemy as sa
from alembic import op

revision = "b81f0e6c52d4"
down_revision = "3c9d1e4a7f20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="open", nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "period"),
    )
    op.execute("UPDATE orders SET status = 'paid' WHERE status = 'settled'")


def downgrade():
    op.drop_table("invoices")
